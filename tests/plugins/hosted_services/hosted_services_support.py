"""Handlers the hosted-services tests share (imported by path, not as a package)."""

GREET = """
def main(params, query):
    greeting = query.get("greeting", "hello")
    return {"message": f"{greeting} {params['name']}", "version": 1}
"""

GREET_V2 = """
def main(params, version):
    return {"message": f"hi {params['name']}", "version": version}
"""

ECHO = """
def main(**request):
    return {key: request[key] for key in ("body", "query", "params", "method", "path", "version")}
"""

FAIL = """
def main(body):
    raise ValueError(f"cannot handle {body!r}")
"""
