"""Audit of the certificates this device trusts (``probe certs``)."""

from probe.certs.audit import Finding, audit
from probe.certs.sources import Scan, TrustedCert, os_stores, scan_files

__all__ = ["Finding", "Scan", "TrustedCert", "audit", "os_stores", "scan_files"]
