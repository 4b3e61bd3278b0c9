"""The editors' admin, by what they work on: notices and imports, agencies, cases, and the cases' parts.

Roles (cases.roles): 编辑 edit content; 发布人 also publish and withdraw.
Every change is recorded by django-simple-history and can be reverted from
the object's history page; a case's own page links to one timeline of the
case and all its parts. Metrics and responsibilities import from XLSX with
a preview (django-import-export); every catalog list exports to XLSX/CSV.
"""

from . import agencies, base, cases, notices, parts  # noqa: F401  (each registers its models)
