function encode(text: string): string {
  let encoded = "";
  let i = 0;
  while (i < text.length) {
    let end = i;
    while (end < text.length && text[end] === text[i]) {
      end++;
    }
    encoded += `${end - i}${text[i]}`;
    i = end;
  }
  return encoded;
}

function decode(encoded: string): string {
  let decoded = "";
  for (const [, count, char] of encoded.matchAll(/(\d+)(\D)/g)) {
    decoded += char.repeat(parseInt(count, 10));
  }
  return decoded;
}

for (const text of ["aaabccdddd", "wwwwwwwwwwwwb", "xyz"]) {
  const packed = encode(text);
  console.log(`${text} -> ${packed} -> ${decode(packed)}`);
}
