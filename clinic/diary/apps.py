from django.apps import AppConfig


class DiaryConfig(AppConfig):
    name = "clinic.diary"
    label = "diary"
    verbose_name = "Diary"

    def ready(self):
        from clinic.diary import signals

        signals.connect()
