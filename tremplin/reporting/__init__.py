"""Reporting: the yearly "bilan chiffré" of the programme, its detail tables and its formats."""
