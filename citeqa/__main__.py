"""`python -m citeqa`: the same CLI as the `citeqa` console script."""

from citeqa.cli import run

run()
