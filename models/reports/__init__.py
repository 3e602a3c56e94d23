"""Laporan kegiatan: kader's activity reports, their photos and the admins' review."""

from models.reports.tables import REPORT_STATUSES, Report, ReportPhoto

__all__ = ["REPORT_STATUSES", "Report", "ReportPhoto"]
