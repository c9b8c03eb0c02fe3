function encode(text) {
  return text.replace(/(.)\1*/g, (run, char) => `${run.length}${char}`);
}

function decode(encoded) {
  return encoded.replace(/(\d+)(\D)/g, (_, count, char) => char.repeat(Number(count)));
}

for (const text of ["aaabccdddd", "wwwwwwwwwwwwb", "xyz"]) {
  const packed = encode(text);
  console.log(`${text} -> ${packed} -> ${decode(packed)}`);
}
