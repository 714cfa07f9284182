# Referrals, disclosures and the Flexservice arrive with the referrals issue (REFERRALS.md).
