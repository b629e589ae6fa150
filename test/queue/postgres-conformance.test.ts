import { describePostgres, testSchema } from '../support/postgres.js';
import { storeConformance } from './store-conformance.js';

describePostgres('PostgreSQL store', () => {
  storeConformance('postgres', {
    async create() {
      const { url, drop } = testSchema();
      return { location: url, cleanup: drop };
    },
  });
});
