# Runs psycopg2's own test suite (tests.test_suite()) from the current directory with verbosity 2, and
# writes each test's outcome as one "<test id> <outcome>" line to the file named by argv[1], so that
# PsycopgSuiteIT compares runs by test id instead of scraping the log. "# start <id>" precedes every test:
# a run killed by the per-test timeout shows which test hung.
import faulthandler
import os
import sys
import unittest

sys.path.insert(0, os.getcwd())
import tests  # noqa: E402  (the suite's own package, from the copy of its folder)

PER_TEST_TIMEOUT = float(os.environ.get('WARDEN_SUITE_TEST_TIMEOUT', '180'))
excluded = set(filter(None, os.environ.get('WARDEN_SUITE_EXCLUDE', '').split(',')))
record = open(sys.argv[1], 'w', buffering=1)


def flatten(suite):
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            yield from flatten(t)
        else:
            yield t


class RecordingResult(unittest.TextTestResult):
    def startTest(self, test):
        record.write(f"# start {test.id()}\n")
        # a test blocked in libpq cannot be interrupted from Python: dump the stacks and exit instead
        faulthandler.dump_traceback_later(PER_TEST_TIMEOUT, exit=True)
        super().startTest(test)

    def stopTest(self, test):
        faulthandler.cancel_dump_traceback_later()
        super().stopTest(test)

    def addSuccess(self, test):
        super().addSuccess(test)
        record.write(f"{test.id()} ok\n")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        record.write(f"{test.id()} FAIL\n")

    def addError(self, test, err):
        super().addError(test, err)
        record.write(f"{test.id()} ERROR\n")

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        record.write(f"{test.id()} skipped\n")

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        record.write(f"{test.id()} expected-failure\n")

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        record.write(f"{test.id()} unexpected-success\n")

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            record.write(f"{test.id()} {'FAIL' if issubclass(err[0], test.failureException) else 'ERROR'}\n")


suite = unittest.TestSuite(t for t in flatten(tests.test_suite()) if t.id() not in excluded)
result = unittest.TextTestRunner(verbosity=2, descriptions=False, resultclass=RecordingResult).run(suite)
record.write("# end\n")
sys.exit(0)
