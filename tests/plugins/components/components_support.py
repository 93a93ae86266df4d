"""Code shared by the components tests (imported by name; conftest puts this folder on sys.path)."""

SLOW_CODE = "import time\ndef main(seconds=30):\n    time.sleep(seconds)\n    return {}\n"
DOUBLE_CODE = "def main(n):\n    print('doubling', n)\n    return {'n': n * 2}\n"
