"""Add up the JUnit XML reports in build/junit (ansible-test units, pytest).

Usage: python scripts/junit_summary.py [DIR]
Prints one line, e.g. `tests: 120 passed, 0 failed, 3 skipped`.
"""

import glob
import os
import sys
import xml.etree.ElementTree as ET


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else os.path.join('build', 'junit')
    total = failed = skipped = 0
    for path in sorted(glob.glob(os.path.join(directory, '*.xml'))):
        root = ET.parse(path).getroot()
        suites = [root] if root.tag == 'testsuite' else root.iter('testsuite')
        for suite in suites:
            total += int(suite.get('tests', 0))
            failed += int(suite.get('failures', 0)) + int(suite.get('errors', 0))
            skipped += int(suite.get('skipped', 0))
    passed = total - failed - skipped
    print('tests: %d passed, %d failed, %d skipped' % (passed, failed, skipped))


if __name__ == '__main__':
    main()
