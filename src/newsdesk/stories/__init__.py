"""Stories: coverage of one event across outlets and languages."""
