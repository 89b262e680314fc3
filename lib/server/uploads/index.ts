import 'server-only';
export { storeCsvUpload, uploadIdFor, uploadFileName, removeUpload, uploadQuotaBytes, type StoreUploadInput } from './store-upload';
