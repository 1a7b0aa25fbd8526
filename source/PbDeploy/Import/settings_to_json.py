# Runs a pbdeploy 1.2 settings file and prints its SERVICES (and SHELL) as one JSON document on stdout.
# Used by PythonSettingsImporter: python3 -B -c "<this script>" /path/to/settings_deploy.py
# The settings file runs in its own folder, with that folder first on sys.path, as module "settings_deploy".
# Whatever it prints goes to stderr; stdout carries only the JSON document. Exit code 0 whenever a document
# was printed, failures included: {"ok": false, ...}.
import importlib.util
import json
import math
import os
import sys
import traceback


class Unsupported(Exception):
    def __init__(self, where, value):
        Exception.__init__(self, where)
        self.where = where
        self.value = value


def describe(value):
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return "a %s (%s)" % (type(value).__name__, text)


def convert(value, where):
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise Unsupported(where, value)
        return float(value)
    if isinstance(value, (list, tuple)):
        return [convert(item, "%s[%d]" % (where, i)) for i, item in enumerate(value)]
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise Unsupported("%s key %r" % (where, key), key)
            result[key] = convert(item, "%s[%r]" % (where, key))
        return result
    if isinstance(value, os.PathLike):
        path = os.fspath(value)
        if isinstance(path, str):
            return path
    raise Unsupported(where, value)


def failure(error, path):
    doc = {"ok": False, "error": "raised", "message": traceback.format_exception_only(type(error), error)[-1].strip()}
    if isinstance(error, SyntaxError) and error.lineno:
        doc["file"] = os.path.abspath(error.filename or path)
        doc["line"] = error.lineno
        doc["syntax"] = True
        return doc
    frames = traceback.extract_tb(error.__traceback__)
    own = [f for f in frames if os.path.abspath(f.filename) == path]
    frame = own[-1] if own else (frames[-1] if frames else None)
    if frame is not None and frame.lineno:
        doc["file"] = os.path.abspath(frame.filename)
        doc["line"] = frame.lineno
    # The user's own modules (beside the settings file) are worth naming; Python's own are not.
    folder = os.path.dirname(path) + os.sep
    mine = [f for f in frames
            if f.lineno and not f.filename.startswith("<") and os.path.abspath(f.filename).startswith(folder)]
    if own and mine and mine[-1] is not own[-1]:
        doc["deepest"] = "%s:%d" % (os.path.abspath(mine[-1].filename), mine[-1].lineno)
    return doc


def run(path):
    try:
        spec = importlib.util.spec_from_file_location("settings_deploy", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules["settings_deploy"] = module
        spec.loader.exec_module(module)
    except SystemExit as error:
        return {"ok": False, "error": "exit", "message": "it called sys.exit(%r)" % (error.code,)}
    except BaseException as error:
        return failure(error, path)

    if not hasattr(module, "SERVICES"):
        return {"ok": False, "error": "no-services"}
    services = module.SERVICES
    if not isinstance(services, dict):
        return {"ok": False, "error": "services-type", "got": describe(services)}

    doc = {"ok": True, "services": {}}
    try:
        for name, conf in services.items():
            if not isinstance(name, str):
                raise Unsupported("SERVICES key %r" % (name,), name)
            if not isinstance(conf, dict):
                return {"ok": False, "error": "service-type", "service": name, "got": describe(conf)}
            doc["services"][name] = convert(conf, "SERVICES[%r]" % (name,))
        if hasattr(module, "SHELL"):
            doc["shell"] = convert(module.SHELL, "SHELL")
    except Unsupported as error:
        return {"ok": False, "error": "unsupported", "where": error.where, "got": describe(error.value)}
    return doc


def main():
    path = os.path.abspath(sys.argv[1])
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # print() and child processes of the settings file write to stderr
    sys.stdout = sys.stderr
    folder = os.path.dirname(path)
    os.chdir(folder)
    sys.path.insert(0, folder)
    sys.argv = [path]
    doc = run(path)
    out.write(json.dumps(doc, ensure_ascii=False, allow_nan=False))
    out.flush()
    os._exit(0)  # no atexit handlers or lingering threads of the settings file


main()
