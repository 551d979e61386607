from django.apps import AppConfig


class LearnersConfig(AppConfig):
    name = "tremplin.learners"
    verbose_name = "Apprenants"

    def ready(self) -> None:
        from tremplin.core.stamps import derived_from

        # The full-text index (SQLite, migration 0005) is written by the learners' triggers,
        # in their statements: a list that searches it is counted under the learners' stamp.
        derived_from("learner_search", "learners_learner")
