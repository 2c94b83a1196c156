"""What a user does with the API, for both front ends (no Textual).

The TUI and the headless commands drive the same session: the client, the cache and
the watcher opened together, and the conditions that block or explain.
Kept empty so importing a submodule costs only that submodule.
"""
