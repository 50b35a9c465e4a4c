"""What a comparison compares: the rows of products and of concepts, and the words around them.

Each `Attribute` is a row: its name (the JSON key), its English and Chinese headings, and how its
cells are read; `WORDS` are the words the tables write around the values, in Chinese.
"""

from __future__ import annotations

from dataclasses import dataclass

# The words tables write around the values; JSON keeps the English keys, which are its API.
WORDS: dict[str, dict[str, str]] = {
    "en": {},
    "zh": {
        "attribute": "属性",
        "agreement": "异同",
        "shared": "相同",
        "differs": "不同",
        "empty": "无",
        "inferred": "推理得出",
        "contested": "有争议",
        "via": "经由",
        "sources": "来源",
        "Comparison": "对比",
        "true": "是",
        "false": "否",
        "unknown": "未知",
        "under every position": "在各方观点下均成立",
        "all licences proprietary": "所有许可证均为专有",
        # the status of a contested claim's position (virt:positionStatus)
        "supported": "有来源支持",
        "guess": "推测",
        "misconception": "误解",
    },
}


def word(lang: str, key: str) -> str:
    """`key` in `lang` (English is the key itself)."""
    return WORDS.get(lang, {}).get(key, key)


@dataclass(frozen=True)
class Attribute:
    """A row of the comparison: its name, its English and Chinese headings and how to read it.

    `how` is "values" (the `prop` values), "texts" (literal values in the preferred language),
    "incoming" (subjects having the entity as `prop` value), "open-source", "examples" or
    "capability" (the rows made from the comparison tables' capability statements).
    """

    name: str
    label: str
    label_zh: str
    how: str
    prop: str | None = None


PRODUCT_ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute("hypervisor_type", "hypervisor type", "Hypervisor 类型", "values", "hypervisorType"),
    Attribute("vmm_structure", "VMM structure model", "VMM 实现结构", "values", "vmmStructure"),
    Attribute(
        "software_architecture",
        "software architecture",
        "软件架构",
        "values",
        "softwareArchitecture",
    ),
    Attribute(
        "implementation_technique", "technique", "实现技术", "values", "implementationTechnique"
    ),
    Attribute(
        "supported_techniques", "also supports", "亦支持的技术", "values", "supportsTechnique"
    ),
    Attribute(
        "requires_hardware_support",
        "hardware support required",
        "是否需要硬件支持",
        "values",
        "requiresHardwareSupport",
    ),
    Attribute("cpu_extensions", "CPU extensions", "CPU 扩展", "values", "requiresCPUExtension"),
    Attribute("developer", "developer", "开发者", "values", "developer"),
    Attribute("license", "licence", "许可证", "values", "license"),
    Attribute("open_source", "open source", "是否开源", "open-source"),
    Attribute("first_release", "first release", "首次发布", "values", "firstRelease"),
    Attribute("host_platforms", "host platforms", "宿主平台", "values", "hostPlatform"),
    Attribute("guest_support", "guest support", "支持的客户机", "values", "guestSupport"),
    Attribute("cpu_architectures", "CPU architectures", "CPU 架构", "values", "cpuArchitecture"),
    Attribute("builds_on", "builds on", "构建于", "values", "buildsOn"),
    Attribute("built_upon_by", "built upon by", "构建于其上的产品", "incoming", "buildsOn"),
    Attribute(
        "uses_hypervisor", "hypervisor used", "使用的 Hypervisor", "values", "usesHypervisor"
    ),
    Attribute("components", "components", "组成部分", "values", "hasComponent"),
    Attribute("device_model", "device model", "设备模型", "values", "usesDeviceModel"),
    Attribute("used_by", "used by", "使用者", "values", "usedBy"),
)

CONCEPT_ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute("definition", "definition", "定义", "texts", "definition"),
    Attribute(
        "hypervisor_ring", "hypervisor ring", "Hypervisor 所在环", "values", "hypervisorRing"
    ),
    Attribute(
        "guest_kernel_ring", "guest kernel ring", "客户机内核所在环", "values", "guestKernelRing"
    ),
    Attribute(
        "guest_os_modified",
        "guest OS must be modified",
        "是否需要修改客户机操作系统",
        "values",
        "requiresModifiedGuestKernel",
    ),
    Attribute(
        "requires_hardware_support",
        "hardware support required",
        "是否需要硬件支持",
        "values",
        "requiresHardwareSupport",
    ),
    Attribute("hardware_needed", "hardware needed", "所需硬件", "values", "requiresCPUExtension"),
    Attribute("mechanisms", "mechanisms", "机制", "values", "usesMechanism"),
    Attribute(
        "device_drivers", "device drivers live in", "设备驱动位置", "values", "deviceDriverLocation"
    ),
    Attribute("performance", "performance", "性能", "texts", "performanceNote"),
    Attribute("advantages", "advantages", "优点", "texts", "advantage"),
    Attribute("disadvantages", "disadvantages", "缺点", "texts", "disadvantage"),
    Attribute("examples", "examples", "实例", "examples"),
)
