def seed_roadmap(ctx):
    pass
