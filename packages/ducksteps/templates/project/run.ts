// This project's command line: ./run.sh and run.bat run this file (ducksteps compiles it once into
// logs/compiled/run.mjs). Everything it does is in the ducksteps package that package.json pins.
import { main } from 'ducksteps';

await main(process.argv.slice(2));
