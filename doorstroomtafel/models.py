# Case tables, meetings and minutes arrive with the Doorstroomtafel issue.
