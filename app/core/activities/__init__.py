"""The association's activities: trainings, classes and learning-centre sessions."""
