"""Proactive notices: what a notice says (``wording``), whether and how it may go out now
(``gate``), and the channels a sender offers (``channels``)."""
