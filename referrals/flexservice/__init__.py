"""The Flexservice: the intake desk (Mbo-loket / Instroomloket 16+: registrations,
intake, consult, placement), maatwerk trajectories and their results page. Its models
stay in referrals.models; its URLs are included by referrals.urls (namespace referrals)."""
