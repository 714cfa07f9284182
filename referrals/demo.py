def seed_referrals(ctx):
    pass
