"""Identify a machine's virtualization from what it can see, and answer from the graph.

`evidence` reads a bundle (JSON or tar.gz, hostile until proven otherwise) or the machine kgapi
runs on; `signatures` reads the graph's detection signatures and walks them as virt-what and
systemd-detect-virt do; `answer` turns what held into layers with graph entities and their
classification.
"""
