"""The package's own error types: mistakes a user can fix, printed by the CLI as one line.

Every error that means "your input, store or file is not usable" derives from `CiteqaError`;
the CLI catches those and nothing else, so a bug elsewhere is reported as an internal error.
This module imports nothing, so any layer (store, ingest, app, eval) may use it.
"""


class CiteqaError(Exception):
    """A problem the user can fix (bad input, a missing or mismatched store, an unreadable file)."""


class SettingsError(CiteqaError, ValueError):
    """A setting is out of range (e.g. chunk size, embedding backend, bench sizes)."""
