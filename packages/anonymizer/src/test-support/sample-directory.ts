/** Three learners, for the tests: one with every identifier, two with a username and a name. */
import { LearnerDirectory } from '../learner-directory.js';

export function sampleDirectory(): LearnerDirectory {
  const directory = new LearnerDirectory();
  directory.add({
    userId: 1516,
    username: 'lm1md2.ssx',
    email: 'lm1md2.ssx@example.org',
    names: ['Iris Von'],
  });
  directory.add({ userId: 1553, username: 'Madalyn_Crooks49', names: ['Madalyn Crooks'] });
  directory.add({ userId: 1600, username: 'zed', names: ['Zed Zed'] });
  return directory;
}
