// Writes the ES-module copy of LiteRT.js's glue that the LiteRT Worker entries bundle (src/node/litert-glue.ts).
// wrangler.toml's LiteRT environments run it as their build command, so a plain `wrangler dev --env litert-int8`
// or `wrangler deploy --env litert-int8` finds the file; the edge's own scripts write it themselves.
import { ensureLiteRtGlueModule } from '../src/node/litert-glue.ts';

ensureLiteRtGlueModule();
