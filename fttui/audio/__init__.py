"""The audio layer: play, stream, cache and save generations. Never imports Textual.

- `player.Player` plays `track.Track`s through a backend (`backends.select_backend`).
- `download.MediaFetcher` fetches audio (no API key) into `cache.AudioCache`.
- `save.save_generation` saves a tagged copy to the music folder.
- `remote` has the OSC 52 / OSC 8 helpers for users on SSH.

Nothing is imported here, so `import fttui.audio` stays cheap.
"""
