import { describe, expect, it } from 'vitest';
import { storeForReport } from './report-store.js';

describe(storeForReport, () => {
  it('names an embedded store by its folder, relative to the report', () => {
    expect(
      storeForReport(
        { engine: 'embedded', location: '/home/me/edx-demo/store' },
        '/home/me/edx-demo',
      ),
    ).toEqual({
      engine: 'embedded',
      location: 'store',
    });
    expect(storeForReport({ engine: 'embedded', location: '/data/edx' }, '/home/me/out')).toEqual({
      engine: 'embedded',
      location: '../../../data/edx',
    });
    expect(storeForReport({ engine: 'embedded', location: '/data/edx' }, '/data/edx')).toEqual({
      engine: 'embedded',
      location: '.',
    });
  });

  it('names a MongoDB store by its hosts only: no user, password, database or options', () => {
    const hosts = (location: string): string =>
      storeForReport({ engine: 'mongodb', location }, '/out').location;
    expect(hosts('mongodb://127.0.0.1:27017/')).toBe('127.0.0.1:27017');
    expect(
      hosts(
        'mongodb://edx:s3cret@db1.example.org:27017,db2.example.org:27017/admin?replicaSet=rs0',
      ),
    ).toBe('db1.example.org:27017,db2.example.org:27017');
    expect(hosts('mongodb+srv://edx:***@cluster0.abcde.mongodb.net/?retryWrites=true')).toBe(
      'cluster0.abcde.mongodb.net',
    );
    expect(hosts('mongodb://')).toBe('(a MongoDB server)');
  });
});
