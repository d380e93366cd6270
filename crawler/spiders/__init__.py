"""The one generic spider; sources are data (settings/sources)."""
