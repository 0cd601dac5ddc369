"""The kiosk channel: a hands-free page in a shop (or on its website) that talks
``/v1/voice`` protocol v1 and shows what Hark is talking about."""
