"""The session's tests run on the client tests' simulator and virtual clock."""

from tests.api.conftest import clock, journal_dir, make_client, vsim

__all__ = ["clock", "journal_dir", "make_client", "vsim"]
