"""django-simple-history's `Model.history` descriptor with its manager class made once.

simple-history's HistoryDescriptor.__get__ makes a new manager class on every access
(`HistoryManager.from_queryset(HistoricalQuerySet)`, which inspects every method of the
queryset class), and every history row written goes through it: about 0.1 ms of CPU per
save (issue 14.3). The class is stateless (each manager keeps its own model and
instance), so one per model serves every access. Installed once from ClinicConfig.ready.
"""

from django.apps import apps
from simple_history.manager import HistoryDescriptor


class _HistoryDescriptor(HistoryDescriptor):
    def __init__(self, original: HistoryDescriptor):
        super().__init__(
            original.model, manager=original.manager_class, queryset=original.queryset_class
        )
        self.manager = original.manager_class.from_queryset(original.queryset_class)

    def __get__(self, instance, owner):
        return self.manager(self.model, instance)


def keep_history_managers() -> None:
    for model in apps.get_models():
        name = getattr(model._meta, "simple_history_manager_attribute", None)
        descriptor = model.__dict__.get(name) if name else None
        if type(descriptor) is HistoryDescriptor:
            setattr(model, name, _HistoryDescriptor(descriptor))
