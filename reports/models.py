# Reports read the other apps; they own no tables yet.
