import * as tf from '@tensorflow/tfjs';
const { initBackend } = await import('./dist/engine/training/backend.js');
await initBackend('wasm');
function bench(label, fn, n=21){ for(let i=0;i<3;i++) tf.dispose(fn()); const ts=[]; for(let i=0;i<n;i++){const t0=performance.now(); const r=fn(); ts.push(performance.now()-t0); tf.dispose(r);} ts.sort((a,b)=>a-b); console.log(label.padEnd(50), ts[n>>1].toFixed(3), 'ms median'); }
for (const s of [[64,14,14,32],[64,28,28,16]]) {
const R = s[0]*s[1]*s[2];
bench(`avgpool [1,${s[0]},${s[1]*s[2]},C] ${s}`, ()=>tf.tidy(()=>tf.avgPool(tf.randomNormal(s).reshape([1,s[0],s[1]*s[2],s[3]]), [s[0],s[1]*s[2]], 1, 'valid')));
bench(`avgpool [1,R,1,C] ${s}`, ()=>tf.tidy(()=>tf.avgPool(tf.randomNormal(s).reshape([1,R,1,s[3]]), [R,1], 1, 'valid')));
bench(`sum012 fresh ${s}`, ()=>tf.tidy(()=>tf.sum(tf.randomNormal(s),[0,1,2])));
bench(`randomNormal only ${s}`, ()=>tf.tidy(()=>tf.randomNormal(s)));
const x = tf.randomNormal(s);
const a = tf.avgPool(x.reshape([1,s[0],s[1]*s[2],s[3]]), [s[0],s[1]*s[2]], 1, 'valid');
console.log('diff', tf.max(tf.abs(tf.sub(a.reshape([s[3]]), tf.mean(x,[0,1,2])))).dataSync()[0]);
}
