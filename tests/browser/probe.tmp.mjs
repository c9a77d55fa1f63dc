import { launch, withPage, TL } from './helpers.mjs';
const b = await launch();
await withPage(b, `${TL}/outils/54`, async (page) => {
  await page.keyboard.press('Tab');
  await page.screenshot({ path: '/tmp/item320.png', fullPage: true });
}, { viewport: { width: 320, height: 640 } });
await b.close();
