"""A local simulator of the finetuning.ai API, for tests and the demo mode.

It restates the contract (shared/api/CONTRACT.md) on its own and never imports the
client (`fttui.api`), so a misreading on one side cannot pass on both. Start one with
`fttui.sim.server.run_in_thread()`; keys are in `fttui.sim.accounts`.
"""
