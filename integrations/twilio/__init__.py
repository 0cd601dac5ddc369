"""Twilio: the phone line (Media Streams or <Gather>) and text messages (SMS, WhatsApp).

Twilio's wire format stays in this package; the conversation runs through
the same ``VoiceSession`` and ``DialogueManager`` as every other channel.
See ``docs/twilio.md``.
"""
