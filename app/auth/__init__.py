from flask import Blueprint

bp = Blueprint("auth", __name__)

# (pattern in the User-Agent, name people know), first match wins: Edge, Opera and Samsung's
# browser also say "Chrome", Chrome also says "Safari", and Android also says "Linux".
_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("SamsungBrowser/", "Samsung Internet"),
             ("Firefox/", "Firefox"), ("FxiOS/", "Firefox"), ("CriOS/", "Chrome"),
             ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
            ("Windows", "Windows"), ("CrOS", "ChromeOS"), ("Mac OS X", "macOS"),
            ("Linux", "Linux"))


def device_name(user_agent: str | None) -> str:
    """"Chrome · Android" from a browser's User-Agent string ("" when nothing is known), for
    the list of signed-in devices: the raw string means nothing to most people."""
    agent = user_agent or ""
    browser = next((name for mark, name in _BROWSERS if mark in agent), "")
    system = next((name for mark, name in _SYSTEMS if mark in agent), "")
    return " · ".join(part for part in (browser, system) if part)

from app.auth import views  # noqa: E402,F401
