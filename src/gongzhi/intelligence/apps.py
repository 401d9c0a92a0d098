from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntelligenceConfig(AppConfig):
    name = "gongzhi.intelligence"
    label = "intelligence"
    verbose_name = _("Intelligence")

    def ready(self) -> None:
        from gongzhi.cases.services.routing import (
            register_routing_listener,
            register_suggester,
            register_urgency_detector,
        )

        from . import audit_actions  # noqa: F401
        from .services import learn_from_dispatch, urgency_detector
        from .suggester import classifier_suggester

        register_suggester(classifier_suggester)
        register_urgency_detector(urgency_detector)
        register_routing_listener(learn_from_dispatch)
