"""A tiny WSGI application for gunicorn: answers "GREETING from pid N".

It reads settings.json (rendered by pbdeploy from settings.json.template) when a worker starts, so a
redeploy that changes the greeting reaches the new workers that gunicorn forks on SIGHUP.
"""
import json
import os

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "settings.json"), encoding="utf-8") as f:
    SETTINGS = json.load(f)


def application(environ, start_response):
    body = ("%s from pid %d\n" % (SETTINGS["greeting"], os.getpid())).encode("utf-8")
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]
