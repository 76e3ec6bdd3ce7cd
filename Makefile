# The two commands of the README:
#   make demo   load the Jia County example into the embedded store, run the saved
#               queries, write the report and the map (output/jia_county/)
#   make test   the whole test suite, with a local Neo4j server and headless Chromium
.PHONY: demo test neo4j-start neo4j-stop clean

demo:
	@scripts/setup-venv
	.venv/bin/linkgraph demo --out output/jia_county

test:
	scripts/test

neo4j-start:
	scripts/neo4j start

neo4j-stop:
	scripts/neo4j stop

clean:
	rm -rf output .pytest_cache
