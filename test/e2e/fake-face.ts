/** The change the fake engine worker (fake-engine-worker.ts) makes to every plate: +40 inside this box. */
export const FACE_BOX = { x: 150, y: 70, width: 60, height: 70 };
export const FACE_CHANGE = 40;
