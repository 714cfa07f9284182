"""Demo data: the checks for the day of seeding, after every other seeder, so the demo
start pages have attention lists. Idempotent like the sweep itself."""


def seed_signals(ctx):
    from .sweep import run_sweep

    result = run_sweep(ctx.today)
    ctx.messages.append(f"signals: {result.opened} opened, {result.closed} closed")
