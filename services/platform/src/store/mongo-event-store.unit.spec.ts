import { checkMongoDeployment, describeMongoUrl, MongoDeploymentError, validateDatabaseName } from './mongo-event-store';

describe('MongoDB deployment check', () => {
  it('refuses a standalone server with German instructions for starting a replica set', () => {
    const error = (() => {
      try {
        checkMongoDeployment({ maxWireVersion: 21 }, 'mongodb://db:27017');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(MongoDeploymentError);
    expect(error).toMatchObject({ retriable: false });
    const message = (error as Error).message;
    expect(message).toMatch(/^MongoDB unter mongodb:\/\/db:27017 läuft nicht als Replica Set\./);
    expect(message).toContain('mongod mit --replSet rs0 starten');
    expect(message).toContain('rs.initiate()');
    expect(message).toContain('?replicaSet=rs0');
  });

  it('accepts a replica set member and a mongos router of a sharded cluster', () => {
    expect(() => checkMongoDeployment({ setName: 'rs0', maxWireVersion: 21 }, 'x')).not.toThrow();
    expect(() => checkMongoDeployment({ msg: 'isdbgrid', maxWireVersion: 21 }, 'x')).not.toThrow();
  });

  it('refuses a server older than MongoDB 5.0', () => {
    expect(() => checkMongoDeployment({ setName: 'rs0', maxWireVersion: 9 }, 'mongodb://alt:27017')).toThrow(
      /MongoDB unter mongodb:\/\/alt:27017 ist zu alt \(Protokollversion 9\); benötigt wird MongoDB 5\.0 oder neuer/,
    );
  });

  it('names the hosts of a connection string without its credentials', () => {
    expect(describeMongoUrl('mongodb://lagebild:geheim@db-1:27017,db-2:27017/lagebild?replicaSet=rs0')).toBe('mongodb://db-1:27017,db-2:27017');
    expect(describeMongoUrl('mongodb+srv://u:p%40ss@cluster.example.net/?retryWrites=true')).toBe('mongodb+srv://cluster.example.net');
    expect(describeMongoUrl('mongodb://db:27017')).toBe('mongodb://db:27017');
  });

  it('refuses database names MongoDB would reject, in German', () => {
    expect(() => validateDatabaseName('goals')).not.toThrow();
    expect(() => validateDatabaseName('')).toThrow(/darf nicht leer sein/);
    expect(() => validateDatabaseName('lage.bild')).toThrow(/kein gültiger MongoDB-Datenbankname/);
    expect(() => validateDatabaseName('x'.repeat(64))).toThrow(/höchstens 63 Bytes/);
  });
});
