from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntelligenceConfig(AppConfig):
    name = "gongzhi.intelligence"
    label = "intelligence"
    verbose_name = _("Intelligence")

    def ready(self) -> None:
        from gongzhi.cases.services.routing import (
            register_duplicate_finder,
            register_intake_listener,
            register_place_finder,
            register_reply_checker,
            register_routing_listener,
            register_suggester,
            register_urgency_detector,
        )

        from . import audit_actions  # noqa: F401
        from .duplicates import duplicate_finder, index_case_on_intake
        from .nlp.reply_quality import score_reply
        from .places import find_place
        from .services import learn_from_dispatch, urgency_detector
        from .suggester import classifier_suggester

        register_suggester(classifier_suggester, automatic=True)
        register_urgency_detector(urgency_detector)
        register_routing_listener(learn_from_dispatch)
        register_reply_checker(score_reply)
        register_place_finder(find_place)
        register_duplicate_finder(duplicate_finder)
        register_intake_listener(index_case_on_intake)
