"""zhoukou-report: the Zhoukou Standing Committee work report as a bilingual microsite."""

__version__ = "0.1.0"
