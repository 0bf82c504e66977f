import { Vinr } from '@vinr/sdk';

const vinr = new Vinr({ secretKey: process.env.VINR_SECRET_KEY });

const payment = await vinr.payments.adjust('pay_3Nx8a2Lk', {
amount: 6500,   // new authorized ceiling — up from 5000
});
