"""Issue 2: every item of the founding document's inventory is one term, found by its name."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef

from kgapi.graph.namespaces import VIRT, VR
from kgapi.read.names import NameIndex

# (name as the founding document writes it, the term it must resolve to)
SEED_INVENTORY: list[tuple[str, URIRef]] = [
    # Concepts of the VM system
    ("虚拟化", VIRT.Virtualization),
    ("虚拟机", VIRT.VirtualMachine),
    ("VM", VIRT.VirtualMachine),
    ("Hypervisor", VIRT.Hypervisor),
    ("虚拟机监控器", VIRT.Hypervisor),
    ("VMM", VIRT.Hypervisor),
    ("宿主机", VIRT.HostMachine),
    ("客户机", VIRT.VirtualMachine),
    ("Host OS", VIRT.HostOS),
    ("Guest OS", VIRT.GuestOS),
    ("物理资源", VIRT.PhysicalResource),
    ("CPU", VIRT.Processor),
    ("内存", VIRT.Memory),
    ("磁盘", VIRT.DiskStorage),
    ("网络适配器", VIRT.NetworkAdapter),
    ("模拟", VIRT.Emulation),
    ("热迁移", VR["live-migration"]),
    ("工作负载迁移", VR["live-migration"]),
    # VMM kinds of the first section
    ("宿主型", VIRT.HostedVMM),
    ("独立监控型", VIRT.StandaloneVMM),
    # By virtualized object
    ("基础设施虚拟化", VIRT.InfrastructureVirtualization),
    ("网络虚拟化", VIRT.NetworkVirtualization),
    ("VLAN", VIRT.VLAN),
    ("VPN", VIRT.VPN),
    ("存储虚拟化", VIRT.StorageVirtualization),
    ("基于存储设备的存储虚拟化", VIRT.DeviceBasedStorageVirtualization),
    ("磁盘阵列", VIRT.DiskArray),
    ("基于网络的存储虚拟化", VIRT.NetworkBasedStorageVirtualization),
    ("NAS", VIRT.NAS),
    ("SAN", VIRT.SAN),
    ("系统虚拟化", VIRT.SystemVirtualization),
    ("服务器虚拟化", VIRT.ServerVirtualization),
    ("PC虚拟化", VIRT.ServerVirtualization),
    ("桌面虚拟化", VIRT.DesktopVirtualization),
    ("软件虚拟化", VIRT.SoftwareVirtualization),
    ("高级语言虚拟化", VIRT.HighLevelLanguageVirtualization),
    ("JVM", VR.jvm),
    ("应用程序虚拟化", VIRT.ApplicationVirtualization),
    ("VMware ThinApp", VR["vmware-thinapp"]),
    ("数据虚拟化", VIRT.DataVirtualization),
    ("服务虚拟化", VIRT.ServiceVirtualization),
    # By software architecture
    ("寄居虚拟化架构", VIRT.HostedArchitecture),
    ("裸金属虚拟化架构", VIRT.BareMetalArchitecture),
    ("操作系统虚拟化架构", VIRT.OSLevelArchitecture),
    ("容器", VIRT.Container),
    ("容器管理器", VIRT.ContainerManager),
    ("混合虚拟化架构", VIRT.HybridArchitecture),
    # By hypervisor layer
    ("Type-1", VIRT.Type1Hypervisor),
    ("native hypervisor", VIRT.Type1Hypervisor),
    ("bare-metal hypervisor", VIRT.Type1Hypervisor),
    ("Type-2", VIRT.Type2Hypervisor),
    ("hosted hypervisor", VIRT.Type2Hypervisor),
    # CPU
    ("特权级别", VIRT.PrivilegeLevel),
    ("Ring 0", VR["ring-0"]),
    ("Ring 1", VR["ring-1"]),
    ("Ring 2", VR["ring-2"]),
    ("Ring 3", VR["ring-3"]),
    ("-1环", VR["ring-minus-1"]),
    ("VMX root mode", VR["ring-minus-1"]),
    ("用户态", VR["user-mode"]),
    ("内核态", VR["kernel-mode"]),
    ("系统调用", VR["system-call"]),
    ("特权指令", VIRT.PrivilegedInstruction),
    ("非特权指令", VIRT.NonPrivilegedInstruction),
    ("仿真执行", VR["trap-and-emulate"]),
    ("Intel VT", VR["intel-vt-x"]),
    ("AMD SVM", VR["amd-v"]),
    ("AMD-V", VR["amd-v"]),
    # By VMM implementation technique
    ("全虚拟化", VIRT.FullVirtualization),
    ("二进制转换", VR["binary-translation"]),
    ("软件实现的完全虚拟化", VIRT.SoftwareFullVirtualization),
    ("硬件辅助完全虚拟化", VIRT.HardwareAssistedFullVirtualization),
    ("泛虚拟化", VIRT.Paravirtualization),
    ("半虚拟化", VIRT.Paravirtualization),
    ("类虚拟化", VIRT.Paravirtualization),
    ("Hypercall", VR.hypercall),
    ("硬件辅助虚拟化", VIRT.HardwareAssistedVirtualization),
    # By VMM implementation structure, with the parts of a VMM
    ("Hypervisor模型", VIRT.HypervisorModelVMM),
    ("宿主模型", VIRT.HostedModelVMM),
    ("混合模型", VIRT.HybridModelVMM),
    ("处理器管理代码", VIRT.ProcessorManagementCode),
    ("内存管理代码", VIRT.MemoryManagementCode),
    ("设备模型", VIRT.DeviceModel),
    ("设备驱动", VIRT.DeviceDriver),
    ("特权虚拟机", VIRT.PrivilegedVM),
    ("特权操作系统", VIRT.PrivilegedOS),
    # Cloud
    ("云计算", VIRT.CloudComputing),
    ("IaaS", VIRT.IaaS),
    # Containers: why they arose; paravirtual I/O
    ("资源隔离", VR["resource-isolation"]),
    ("相对完整的操作系统环境", VR["relatively-complete-os-environment"]),
    ("为虚拟化设计的I/O设备", VIRT.ParavirtualDevice),
    # Products and organisations the seed names
    ("VMware vSphere", VR["vmware-vsphere"]),
    ("VMware ESXi", VR["vmware-esxi"]),
    ("ESX", VR["vmware-esxi"]),
    ("VMware Workstation", VR["vmware-workstation"]),
    ("Microsoft Hyper-V", VR["hyper-v"]),
    ("Citrix XenServer", VR.xenserver),
    ("IBM PowerVM", VR.powervm),
    ("Red Hat Enterprise Virtualization", VR["red-hat-virtualization"]),
    ("Huawei FusionSphere", VR.fusionsphere),
    ("KVM", VR.kvm),
    ("QEMU", VR.qemu),
    ("Xen", VR.xen),
    ("VirtualBSD", VR.virtualbsd),
    ("VirtualBox", VR.virtualbox),
    ("Intel ACRN", VR.acrn),
    ("minos", VR.minos),
    ("Qumranet", VR.qumranet),
    ("红帽", VR["red-hat"]),
    ("剑桥大学", VR["university-of-cambridge"]),
]


@pytest.mark.parametrize(("name", "term"), SEED_INVENTORY, ids=[n for n, _ in SEED_INVENTORY])
def test_seed_term_resolves_to_exactly_one_term(names: NameIndex, name: str, term: URIRef) -> None:
    assert names.resolve(name) == term


@pytest.mark.parametrize("term", sorted({term for _, term in SEED_INVENTORY}))
def test_seed_term_is_typed_and_defined_in_both_languages(asserted: Graph, term: URIRef) -> None:
    assert list(asserted.objects(term, None)), f"{term} has no statements"
    languages = {
        label.language
        for label in asserted.objects(
            term, URIRef("http://www.w3.org/2004/02/skos/core#definition")
        )
        if isinstance(label, Literal)
    }
    assert languages >= {"en", "zh"}


def test_seed_facts_about_kvm_and_xen(asserted: Graph) -> None:
    assert (VR.kvm, VIRT.inLinuxKernelSince, Literal("2.6.20")) in asserted
    assert (VR.kvm, VIRT.usesDeviceModel, VR.qemu) in asserted
    assert (VR.xen, VIRT.usedBy, VR["alibaba-cloud"]) in asserted
    assert (VR.xen, VIRT.usedBy, VR["amazon-web-services"]) in asserted
    assert (VR.xen, VIRT.originalDeveloper, VR["university-of-cambridge"]) in asserted or (
        VR.xen,
        VIRT.developer,
        VR["university-of-cambridge"],
    ) in asserted
    assert (VR.kvm, VIRT.originalDeveloper, VR.qumranet) in asserted
    assert (VR.qumranet, VIRT.acquiredBy, VR["red-hat"]) in asserted
