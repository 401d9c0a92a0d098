"""Intelligence (智能分拨): case classification and routing that learns from dispatchers, urgency detection.

``nlp/`` is plain Python (no Django): text cleaning, features, the classifier and its file format,
urgency rules, table reading. The Django side stores model versions and dispatcher labels, plugs the
active model into ``cases.services.routing`` as a suggester and retrains it (``gongzhi nlp …``, huey).
"""
