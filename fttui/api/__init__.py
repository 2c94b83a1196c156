"""The finetuning.ai API client: models, errors, transport, limits, watcher. No Textual here."""
