/** Reports one step of a rotation, before the step runs; may hold the run there (see rotateKeys' pauseAt). */
export type Progress = (line: string) => Promise<void>;
